/**
 * gitops-bootstrap's offline commands. None of them needs the Pulumi CLI, credentials or a cluster.
 */
import { configCommand } from "./config";
import { generateCommand } from "./generate";
import { synthCommand } from "./synth";

const HELP = `Usage: gitops-bootstrap <command> [options]

Commands:
  config    validate a stack's config offline and print it with every default filled in
  generate  turn an app catalog into Argo CD Applications/ApplicationSets or Flux Kustomizations (replaces generate-apps.sh)
  synth     run the program offline under Pulumi's mock runtime and write what it would create
Run \`gitops-bootstrap <command> --help\` for a command's options.`;

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  config: configCommand,
  generate: generateCommand,
  synth: synthCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h") {
    console.log(HELP);
    return command === undefined ? 2 : 0;
  }
  const run = COMMANDS[command];
  if (run === undefined) {
    console.error(`gitops-bootstrap: unknown command ${JSON.stringify(command)}\n\n${HELP}`);
    return 2;
  }
  try {
    return await run(rest);
  } catch (error) {
    // Argument errors from parseArgs name the option; print them without a stack trace.
    console.error(`gitops-bootstrap ${command}: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
