/**
 * gitops-bootstrap's offline commands (`npx gitops-bootstrap <command>`). None of them needs the
 * Pulumi CLI, credentials or a cluster.
 *
 * Each command is imported only when it runs: `generate` must not pay for the Pulumi SDKs that
 * `synth` loads, and `--help`/`--version` load nothing but this file. `npm run build` compiles
 * every command to its own bundle in cli/dist/, which is what `cli/bin.js` runs.
 */
import { version } from "../package.json";
import { printErr, printOut } from "./stdio";

type Command = (argv: string[]) => Promise<number> | number;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  config: {
    summary: "validate a stack's config offline and print it with every default filled in",
    load: async () => (await import("./config")).configCommand,
  },
  generate: {
    summary:
      "turn an app catalog into Argo CD Applications/ApplicationSets or Flux Kustomizations (replaces generate-apps.sh)",
    load: async () => (await import("./generate")).generateCommand,
  },
  synth: {
    summary: "run the program offline under Pulumi's mock runtime and write what it would create",
    load: async () => (await import("./synth")).synthCommand,
  },
  handoff: {
    summary: "write the files through which the engine manages its own install (selfManagement)",
    load: async () => (await import("./handoff")).handoffCommand,
  },
  "migrate-state": {
    summary:
      "move stacks from the local backend into the S3 backend the account stack made, or into Pulumi Cloud",
    load: async () => (await import("./migrate-state")).migrateStateCommand,
  },
  "drift-report": {
    summary:
      "turn a recorded `pulumi preview --refresh --json` into a drift verdict and its issue text (drift.yml)",
    load: async () => (await import("./drift-report")).driftReportCommand,
  },
  migrate: {
    summary:
      "read the Terragrunt layer's state and write the stacks' adopt settings (docs/migrating-from-terragrunt.md)",
    load: async () => (await import("./migrate")).migrateCommand,
  },
  help: {
    summary: "show this help, or a command's (help <command>)",
    load: async () => help,
  },
};

const HELP = `Usage: npx gitops-bootstrap <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, { summary }]) => `  ${name.padEnd(13)} ${summary}`)
  .join("\n")}

Options:
  -h, --help     show this help
  -v, --version  print the version (${version})

Run \`npx gitops-bootstrap <command> --help\` for a command's options.`;

function unknown(command: string): number {
  printErr(`gitops-bootstrap: unknown command ${JSON.stringify(command)}\n\n${HELP}\n`);
  return 2;
}

/** `help` alone, or `help <command>` (the same as `<command> --help`). */
async function help(argv: string[]): Promise<number> {
  const [command] = argv;
  if (command === undefined || command === "help") {
    printOut(`${HELP}\n`);
    return 0;
  }
  return COMMANDS[command] === undefined ? unknown(command) : main([command, "--help"]);
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h") {
    printOut(`${HELP}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command === "--version" || command === "-v" || command === "version") {
    printOut(`${version}\n`);
    return 0;
  }
  const entry = COMMANDS[command];
  if (entry === undefined) return unknown(command);
  try {
    return await (
      await entry.load()
    )(rest);
  } catch (error) {
    // Argument errors from parseArgs name the option; print them without a stack trace.
    printErr(`gitops-bootstrap ${command}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}

/** Runs the CLI and exits with its code (what `cli/bin.js` calls). */
export function run(argv: string[]): void {
  // Exit explicitly: synth's mock runtime may leave handles open. Writes to stdout and stderr are
  // synchronous for files and pipes on Linux and macOS, so nothing printed is lost.
  main(argv).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

if (require.main === module) run(process.argv.slice(2));
