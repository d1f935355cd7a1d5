// npm run storage:migrate   (see src/server/ops/storage-migrate.ts): DATA_DIR/uploads → the S3_* bucket
import { runOps } from '../src/server/ops/cli';
import { OpsError } from '../src/server/ops/manifest';
import { migrateStorage } from '../src/server/ops/storage-migrate';

runOps('npm run storage:migrate', {}, async ({ positionals, config }) => {
  if (positionals.length)
    throw new OpsError(
      `storage:migrate takes no arguments (it reads DATA_DIR and S3_* from the environment), got: ${positionals.join(' ')}`,
    );
  await migrateStorage({ config, log: (line) => console.log(line) });
});
