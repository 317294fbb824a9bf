import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, isAbsolute } from 'node:path';
import { ConfigProblem, SourceFile } from './configuration';

/** How a path is named in problems: relative to the working directory when below it. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

interface ConfigurationFiles {
  readonly appFile: SourceFile | null;
  readonly accountFiles: SourceFile[];
}

const MAX_FILE_BYTES = 1024 * 1024;

function readSource(path: string, problems: ConfigProblem[]): SourceFile | null {
  const shown = displayPath(path);
  try {
    const size = statSync(path).size;
    if (size > MAX_FILE_BYTES) {
      problems.push({
        file: shown,
        line: 1,
        key: '(file)',
        message: `larger than 1 MiB (${size} bytes)`,
      });
      return null;
    }
    return { path: shown, text: readFileSync(path, 'utf8') };
  } catch (e) {
    problems.push({
      file: shown,
      line: 1,
      key: '(file)',
      message: `cannot be read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    });
    return null;
  }
}

/**
 * Reads `application.properties` (optional) and `accounts/*.properties` from the config
 * directory. Other files are ignored, so editors' backup files do not break a reload.
 */
export function readConfigurationFiles(
  configDir: string,
): { ok: true; files: ConfigurationFiles } | { ok: false; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  if (!existsSync(configDir) || !statSync(configDir).isDirectory()) {
    return {
      ok: false,
      problems: [
        {
          file: displayPath(configDir),
          line: 0,
          key: '(config directory)',
          message: 'not found or not a directory (set PANTRY_CONFIG_DIR)',
        },
      ],
    };
  }
  const appPath = join(configDir, 'application.properties');
  const appFile = existsSync(appPath) ? readSource(appPath, problems) : null;
  const accountsDir = join(configDir, 'accounts');
  const accountFiles: SourceFile[] = [];
  if (existsSync(accountsDir)) {
    for (const name of readdirSync(accountsDir).sort()) {
      if (!name.endsWith('.properties') || name.startsWith('.')) continue;
      const path = join(accountsDir, name);
      if (!statSync(path, { throwIfNoEntry: false })?.isFile()) continue;
      const file = readSource(path, problems);
      if (file) accountFiles.push(file);
    }
  }
  return problems.length > 0
    ? { ok: false, problems }
    : { ok: true, files: { appFile, accountFiles } };
}
