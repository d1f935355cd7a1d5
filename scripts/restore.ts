// npm run restore -- DIR [--force]   (see src/server/ops/restore.ts; stop the app first)
import { restore } from '../src/server/ops/restore';
import { runOps } from '../src/server/ops/cli';
import { OpsError } from '../src/server/ops/manifest';

runOps('npm run restore -- DIR [--force]', { force: { type: 'boolean' } }, async ({ values, positionals, config }) => {
  if (positionals.length > 1)
    throw new OpsError(`One backup directory, not ${positionals.length}: npm run restore -- DIR [--force]`);
  await restore({ config, dir: positionals[0], force: values.force === true, log: (line) => console.log(line) });
});
