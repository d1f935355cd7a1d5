/**
 * npm run storage:migrate: copies every uploaded file from DATA_DIR/uploads into the configured S3 bucket under the
 * same key, so the rows that name them keep working after the switch. Keys already in the bucket are skipped, so it
 * can be run again (for example once more right before the instances restart on S3) and copies only what is new.
 */
import type { Config } from '../config';
import { localStorage, type Storage } from '../platform/storage';
import { s3OptionsFromConfig, s3Storage } from '../platform/s3-storage';
import { OpsError } from './manifest';

export interface MigrateOptions {
  config: Config;
  /** by default DATA_DIR/uploads and the configured bucket */
  from?: Storage;
  to?: Storage;
  log?: (line: string) => void;
}

export interface MigrateReport {
  copied: number;
  skipped: number;
  bytes: number;
}

export async function migrateStorage(o: MigrateOptions): Promise<MigrateReport> {
  const log = o.log ?? (() => undefined);
  let to = o.to;
  if (!to) {
    const s3 = s3OptionsFromConfig(o.config);
    if (!s3)
      throw new OpsError(
        'S3_ENDPOINT and S3_BUCKET are not set: there is no bucket to copy the files to (see README, Configuration).',
      );
    to = s3Storage(s3);
  }
  const from = o.from ?? localStorage(o.config.uploadDir);
  const present = new Set<string>();
  for await (const key of to.keys()) present.add(key);
  log(`${present.size} files already in the target store`);

  const report: MigrateReport = { copied: 0, skipped: 0, bytes: 0 };
  for await (const key of from.keys()) {
    if (present.has(key)) {
      report.skipped++;
      continue;
    }
    const data = await from.get(key);
    await to.write(key, data);
    report.copied++;
    report.bytes += data.length;
    if (report.copied % 500 === 0) log(`  copied ${report.copied} files`);
  }
  log(`done: ${report.copied} copied (${report.bytes} bytes), ${report.skipped} already there`);
  return report;
}
