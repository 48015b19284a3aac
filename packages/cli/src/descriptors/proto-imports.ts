// The imports of a .proto file (protobuf language spec: `import [weak | public] strLit ";"`), read
// from its tokens so that comments and strings elsewhere are passed over. Only what the compiler
// needs to find the files; buf parses each file for real afterwards.

const tokenPattern =
  /\/\/[^\n]*|\/\*[\s\S]*?\*\/|"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|([A-Za-z_][\w.]*)|(\S)/g;

interface Token {
  readonly text: string;
  /** A string literal's contents. */
  readonly string?: string;
}

export function importsOf(source: string): string[] {
  const tokens: Token[] = [];
  for (const m of source.matchAll(tokenPattern)) {
    if (m[0].startsWith('//') || m[0].startsWith('/*')) continue;
    const string = m[1] ?? m[2];
    tokens.push(string === undefined ? { text: m[0] } : { text: m[0], string });
  }
  const imports: string[] = [];
  tokens.forEach((token, i) => {
    // A statement starts the file or follows `;` or `}`.
    const previous = tokens[i - 1]?.text;
    if (token.text !== 'import' || (previous !== undefined && previous !== ';' && previous !== '}')) return;
    let next = tokens[i + 1];
    if (next?.text === 'public' || next?.text === 'weak') next = tokens[i + 2];
    if (next?.string !== undefined) imports.push(next.string);
  });
  return imports;
}
