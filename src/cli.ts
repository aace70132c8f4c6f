#!/usr/bin/env node
// The feedloom executable: hands its arguments to the command they name (src/commands/).
import { main } from './commands/main.js';

process.exitCode = await main(process.argv.slice(2));
