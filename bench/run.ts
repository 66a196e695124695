/** Runs every benchmark and prints Markdown tables (the README quotes them). Not a test. */
import { benchSynth } from "./synth";

console.log("## synth\n");
console.log(benchSynth().join("\n"));
