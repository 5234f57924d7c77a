import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { coerceValue } from '../../src/config/flags';
import { DEFAULT_OPTIONS, OPTION_SPECS } from '../../src/config/options';
import { OPTION_FLAGS } from '../../src/config/resolve';
import { REPO_ROOT } from '../helpers';

/** The defaults people read (hydra.ini's comments, the flag table in docs/commands.md) are the code's defaults. */
describe('documented defaults', () => {
  it("hydra.ini lists every ini key, commented out with the code's default", () => {
    const text = fs.readFileSync(path.join(REPO_ROOT, 'hydra.ini'), 'utf8');
    let section = '';
    const documented = new Map<string, string>();
    for (const line of text.split('\n')) {
      const header = /^\[([\w.-]+)\]$/.exec(line.trim());
      if (header) section = header[1] as string;
      const kv = /^#\s*([a-z_]+)\s*=\s*(.*)$/.exec(line.trim());
      if (kv && section) documented.set(`${section}.${kv[1]}`, (kv[2] as string).trim());
    }
    for (const spec of OPTION_SPECS.filter((s) => s.ini)) {
      const [sec, key] = spec.ini as [string, string];
      const raw = documented.get(`${sec}.${key}`);
      assert.ok(raw !== undefined, `hydra.ini documents [${sec}] ${key}`);
      // `brokers` shows an example address, not its (empty) default.
      if (spec.name === 'brokers') continue;
      assert.deepEqual(coerceValue(spec.kind, raw, `[${sec}] ${key}`, spec), DEFAULT_OPTIONS[spec.name], `[${sec}] ${key}`);
    }
  });

  it("the flag table (docs/commands.md) shows the code's defaults", () => {
    const readme = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'commands.md'), 'utf8');
    const rows = new Map<string, string>();
    for (const m of readme.matchAll(/^\| `--([a-z_]+)` \|[^|]*\|([^|]*)\|/gm)) rows.set(m[1] as string, (m[2] as string).trim());
    for (const flag of OPTION_FLAGS.filter((f) => f.name !== 'brokers')) {
      const shown = rows.get(flag.name);
      assert.ok(shown !== undefined, `docs/commands.md lists --${flag.name}`);
      const expected = flag.default === false ? 'false' : String(flag.default) === '' ? 'none' : String(flag.default);
      assert.equal(shown === '' ? 'false' : shown, expected, `--${flag.name}`);
    }
  });
});
