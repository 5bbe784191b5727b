import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LuaScript } from './scripts.js';

const LUA_DIR = new URL('../../lua/', import.meta.url);
/** The package's `src/` (this test is in `src/redis/`). */
const SRC_DIR = new URL('../', import.meta.url);

const luaFiles = readdirSync(LUA_DIR).filter((f) => f.endsWith('.lua'));

/** Every `LuaScript.file('<name>')` in the package's sources. */
function scriptsLoaded(): string[] {
  const sources = readdirSync(SRC_DIR, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => readFileSync(new URL(f, SRC_DIR), 'utf8'));
  return sources.flatMap((s) => [...s.matchAll(/LuaScript\.file\('([^']+)'\)/g)].map((m) => m[1]!));
}

describe('Lua scripts in files', () => {
  it('each file starts with a header describing its KEYS and ARGV', () => {
    expect(luaFiles.length).toBeGreaterThan(0);
    for (const f of luaFiles) {
      const text = readFileSync(new URL(f, LUA_DIR), 'utf8');
      const header = text.slice(0, text.indexOf(']]'));
      expect(header.startsWith('--[['), f).toBe(true);
      expect(header, f).toMatch(/KEYS\[/);
      expect(header, f).toMatch(/ARGV/);
    }
  });

  it('each file is loaded by the code, and each script the code loads is a file', () => {
    expect(scriptsLoaded().sort()).toEqual(luaFiles.map((f) => f.slice(0, -'.lua'.length)).sort());
  });

  it('a script that is not there is refused with its path', () => {
    expect(() => LuaScript.file('no-such-script')).toThrow(/no-such-script\.lua.*packages\/core\/lua/);
  });
});
