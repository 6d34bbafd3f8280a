import { existsSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, documentationPages, githubSlug, headingAnchors, linkTargets, readPage } from './markdown';

// Every link of the README and the user guide resolves: the file exists, and an #anchor
// names a heading of that page by GitHub's rules.

describe('GitHub heading anchors', () => {
  it.each([
    ['Athena usage: who ran what, what it scanned, what it cost', 'athena-usage-who-ran-what-what-it-scanned-what-it-cost'],
    ['OpenSearch assets as code (`dashboards/`)', 'opensearch-assets-as-code-dashboards'],
    ['The AWS SDK and Node 20', 'the-aws-sdk-and-node-20'],
    ['`replay` -> OpenSearch', 'replay---opensearch'],
  ])('%j -> #%s', (heading, slug) => {
    expect(githubSlug(heading)).toBe(slug);
  });

  it('numbers a repeated heading', () => {
    expect([...headingAnchors('# Tests\n\n## Tests\n')]).toEqual(['tests', 'tests-1']);
  });
});

describe('links in README.md and docs/', () => {
  const pages = documentationPages();

  it('finds the pages and their links', () => {
    expect(pages.length).toBeGreaterThan(5);
    expect(linkTargets(readPage('README.md')).length).toBeGreaterThan(5);
  });

  it.each(pages)('%s: every relative link names a file that exists, and an anchor that exists', (page) => {
    const broken: string[] = [];
    for (const target of linkTargets(readPage(page))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: — not checked offline
      const [path, anchor] = target.split('#', 2) as [string, string | undefined];
      const file = path === '' ? join(ROOT, page) : normalize(join(ROOT, dirname(page), decodeURIComponent(path)));
      if (!file.startsWith(ROOT) || !existsSync(file)) {
        broken.push(`${target}: no such file`);
        continue;
      }
      if (anchor === undefined || anchor === '') continue;
      if (!file.endsWith('.md') || statSync(file).isDirectory()) {
        broken.push(`${target}: an anchor into a file that is not markdown`);
        continue;
      }
      const anchors = headingAnchors(readPage(file.slice(ROOT.length + 1)));
      if (!anchors.has(decodeURIComponent(anchor))) broken.push(`${target}: no heading with anchor #${anchor}`);
    }
    expect(broken).toEqual([]);
  });

  it('links every docs/ page from the README', () => {
    const linked = new Set(linkTargets(readPage('README.md')).map((target) => target.split('#')[0]));
    const unlinked = pages.filter((page) => page !== 'README.md' && !linked.has(page));
    expect(unlinked).toEqual([]);
  });
});
