// Checks what each published package (packages/*, not private) ships, after `npm run build`:
// - every `exports` target exists in dist/, and `files` ships it;
// - every package that dist/ imports (JavaScript, declarations, and `resolve('pkg/…')` lookups)
//   is declared in `dependencies` (or `peerDependencies`), and every declared one is imported;
// - every name an entry point exports has a doc comment, where it is declared or on the entry's
//   `export … from` statement.
// `npm test` runs it; `--counts` also prints how many names each entry exports.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '..');
const problems = [];
const counts = process.argv.includes('--counts');

function* files(dir, suffixes) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path, suffixes);
    else if (suffixes.some((s) => name.endsWith(s))) yield path;
  }
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`; relative and node: builtins → undefined. */
function packageOf(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('node:') || specifier.startsWith('#'))
    return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return builtinModules.includes(name) ? undefined : name;
}

/** Bare specifiers a compiled file imports (static, dynamic, `import type`) or resolves by name. */
function importsOf(path) {
  const text = readFileSync(path, 'utf8');
  const found = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
  for (const m of text.matchAll(/\bresolve\(\s*'([^']+)'\s*\)/g)) found.push(m[1]);
  return found.map(packageOf).filter((name) => name !== undefined);
}

function checkDependencies(dir, manifest) {
  const declared = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ]);
  const used = new Map();
  for (const path of files(join(dir, 'dist'), ['.js', '.d.ts'])) {
    if (path.endsWith('.test.js') || path.endsWith('.test.d.ts')) {
      problems.push(`${manifest.name}: a spec is built into dist/: ${relative(root, path)}`);
    }
    for (const name of importsOf(path)) {
      if (name !== manifest.name && !used.has(name)) used.set(name, relative(root, path));
    }
  }
  for (const [name, where] of used) {
    if (!declared.has(name))
      problems.push(`${manifest.name}: imports ${name} (${where}) but does not declare it`);
  }
  for (const name of declared) {
    if (!used.has(name)) problems.push(`${manifest.name}: declares ${name} but nothing in dist/ imports it`);
  }
}

/** The package's entry points: `exports` subpath → { types, default } paths. */
function entriesOf(dir, manifest) {
  const entries = [];
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    if (typeof target === 'string') continue; // ./package.json and the like
    const name = manifest.name + subpath.slice(1);
    for (const file of [target.types, target.default]) {
      if (!file?.startsWith('./dist/')) problems.push(`${name}: export target ${file} is not in dist/`);
      else if (!existsSync(join(dir, file))) problems.push(`${name}: export target ${file} was not built`);
    }
    if (!target.types || !target.default) continue;
    const source = join(dir, target.default.replace('./dist/', 'src/').replace(/\.js$/, '.ts'));
    entries.push({ name, source });
  }
  if (!(manifest.files ?? []).includes('dist')) problems.push(`${manifest.name}: "files" does not ship dist`);
  const maps = existsSync(join(dir, 'dist')) && files(join(dir, 'dist'), ['.map']).next().done === false;
  if (maps && !(manifest.files ?? []).includes('!dist/**/*.map')) {
    problems.push(
      `${manifest.name}: "files" ships source maps of sources it does not ship (add "!dist/**/*.map")`,
    );
  }
  return entries;
}

/** The declaration a name stands for, through re-exports. */
function declared(checker, symbol) {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

/**
 * A name is documented where it is declared, or where an entry exports it: a doc comment on the
 * `export … from` statement (how generated code, under gen/, gets one).
 */
function documentedAtExport(symbol) {
  const statement = symbol.declarations?.[0]?.parent?.parent;
  return statement !== undefined && ts.getJSDocCommentsAndTags(statement).length > 0;
}

function checkDocComments(entries) {
  const program = ts.createProgram(
    entries.map((e) => e.source),
    {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      skipLibCheck: true,
      noEmit: true,
    },
  );
  const checker = program.getTypeChecker();
  for (const entry of entries) {
    const source = program.getSourceFile(entry.source);
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    if (!moduleSymbol) {
      problems.push(`${entry.name}: cannot read ${relative(root, entry.source)}`);
      continue;
    }
    const names = checker.getExportsOfModule(moduleSymbol);
    if (counts) console.log(`${entry.name}: ${names.length} names`);
    for (const symbol of names) {
      const target = declared(checker, symbol);
      if (target.flags & ts.SymbolFlags.ValueModule) continue; // `export * as ns`: the namespace's own header says what it is
      if (target.getDocumentationComment(checker).length === 0 && !documentedAtExport(symbol)) {
        const where = target.declarations?.[0];
        const file = where ? relative(root, where.getSourceFile().fileName) : '?';
        problems.push(`${entry.name}: ${symbol.name} (${file}) has no doc comment`);
      }
    }
  }
}

const entries = [];
for (const name of readdirSync(join(root, 'packages'))) {
  const dir = join(root, 'packages', name);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (manifest.private) continue;
  if (!existsSync(join(dir, 'dist'))) {
    problems.push(`${manifest.name}: no dist/; run \`npm run build\` first`);
    continue;
  }
  checkDependencies(dir, manifest);
  entries.push(...entriesOf(dir, manifest));
}
checkDocComments(entries);

if (problems.length > 0) {
  console.error(`check-packages: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-packages: ${entries.length} entry points, dependencies and doc comments in order`);
