// A benchmark suite: a name on the command line (`npm run bench -- <name>`) and a run function
// that receives the arguments after the name.

export interface Suite {
  readonly description: string;
  run(args: string[]): Promise<void>;
}
