import { answers } from './node/opensearch-node';

/** The real-engine suite never skips quietly: without a node that answers, it fails at once. */
export default async function setup() {
  const url = process.env.OPENSEARCH_URL;
  if (!url) throw new Error('the real-engine suite needs OPENSEARCH_URL: run it with `npm run test:opensearch`');
  if (!(await answers(url))) throw new Error(`OPENSEARCH_URL=${url} does not answer as an OpenSearch node`);
}
