#!/usr/bin/env node
// The command line runs the TypeScript sources directly through tsx, so `npx cwl-opensearch`
// works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../functions/cli/main.ts');
await main(process.argv);
