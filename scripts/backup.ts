// npm run backup -- --out DIR   (see src/server/ops/backup.ts)
import { backup } from '../src/server/ops/backup';
import { runOps } from '../src/server/ops/cli';

runOps('npm run backup -- --out DIR', { out: { type: 'string' } }, async ({ values, config }) => {
  await backup({ config, out: values.out as string | undefined, log: (line) => console.log(line) });
});
