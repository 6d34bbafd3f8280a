// Child process for the benchmark: ships one subscription event (a file path in argv) through
// the shipper with the network-free EncodingSink, then prints its peak resident set size.
// Bundled with esbuild first, so the figure is the Lambda bundle's, not tsx's.
import { readFileSync } from 'node:fs';
import { createRegistry } from '../parsers/registry';
import { loadPipelineConfig } from '../functions/pipeline/config';
import { createShipper } from '../functions/shipper/shipper';
import { EncodingSink } from './encoding-sink';

const config = loadPipelineConfig(process.env);
const ship = createShipper({ registry: createRegistry(), config, sink: new EncodingSink(config.indexing) });
const event: unknown = JSON.parse(readFileSync(process.argv[2]!, 'utf8'));
const loadedKb = process.resourceUsage().maxRSS;
await ship(event);
console.log(JSON.stringify({ loadedMb: loadedKb / 1024, peakMb: process.resourceUsage().maxRSS / 1024 }));
