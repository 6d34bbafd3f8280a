/** Cutting a slow-log file into the messages RDS would publish, one entry each (corpus tests). */

function isBannerLine(line: string): boolean {
  return (
    (line.includes(', Version: ') && line.trimEnd().endsWith('started with:')) ||
    /^tcp port: /i.test(line) ||
    (line.startsWith('Time') && line.trimEnd().endsWith('Argument'))
  );
}

const isHeaderLine = (line: string): boolean => line.startsWith('#') && !line.startsWith('# administrator command:');

/**
 * Cuts a slow-log file into the messages RDS would publish: an entry starts at `# Time:`,
 * or at `# User@Host:` / `# Query_time:` when the line before is not a header line (old
 * and Percona files have entries without `# Time:` or without `# User@Host:`). A run of
 * server banner lines starts a chunk too and stays glued to the entry after it, so the
 * parser's banner skipping is exercised; banner-only chunks are dropped.
 */
export function splitEntries(text: string): string[] {
  const lines = text.split('\n');
  const chunks: string[][] = [[]];
  lines.forEach((line, index) => {
    const previous = index > 0 ? lines[index - 1] : undefined;
    const afterBanner = previous !== undefined && isBannerLine(previous);
    let starts = false;
    if (line.startsWith('# Time:')) starts = !afterBanner;
    else if (line.startsWith('# User@Host:') || line.startsWith('# Query_time:')) {
      starts = !afterBanner && !(previous !== undefined && isHeaderLine(previous));
    } else if (isBannerLine(line)) starts = !afterBanner;
    if (starts && chunks.at(-1)!.length > 0) chunks.push([]);
    chunks.at(-1)!.push(line);
  });
  return chunks
    .map((chunk) => chunk.join('\n').replace(/\n+$/, ''))
    .filter((chunk) => chunk.split('\n').some((line) => line.trim() !== '' && !isBannerLine(line)));
}

