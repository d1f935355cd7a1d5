/** The scripts' shared ending: an operator's mistake prints its message and exits 2; anything else is a bug (1). */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig, type Config } from '../config';
import { OpsError } from './manifest';

export function runOps(
  usage: string,
  options: ParseArgsConfig['options'],
  task: (args: {
    values: Record<string, string | boolean | undefined>;
    positionals: string[];
    config: Config;
  }) => Promise<void>,
) {
  const run = async () => {
    let parsed;
    try {
      parsed = parseArgs({ options, allowPositionals: true });
    } catch (e) {
      throw new OpsError(`${(e as Error).message}\nUsage: ${usage}`);
    }
    let config: Config;
    try {
      config = loadConfig();
    } catch (e) {
      throw new OpsError((e as Error).message);
    }
    await task({
      values: parsed.values as Record<string, string | boolean | undefined>,
      positionals: parsed.positionals,
      config,
    });
  };
  run().then(
    () => process.exit(0),
    (e: unknown) => {
      if (e instanceof OpsError) {
        console.error(e.message);
        process.exit(2);
      }
      console.error(e);
      process.exit(1);
    },
  );
}
