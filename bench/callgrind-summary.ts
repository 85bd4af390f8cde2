/**
 * Reads what callgrind wrote for bench/count-instructions.ts: the instruction
 * total of a dump, and the functions that executed the most, with V8's
 * compiled JavaScript named from the process's perf map (`--perf-basic-prof`
 * writes /tmp/perf-<pid>.map; callgrind itself only sees addresses there).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

/** The `totals:` (or `summary:`) line of a callgrind output file: instructions executed. */
export function callgrindTotal(path: string): number {
  const match = /^(?:totals|summary): (\d+)/m.exec(readFileSync(path, 'utf8'));
  if (match === null) throw new Error(`no totals in ${path}`);
  return Number(match[1]);
}

interface PerfMapEntry {
  readonly start: number;
  readonly end: number;
  readonly name: string;
}

function readPerfMap(path: string): PerfMapEntry[] {
  const entries: PerfMapEntry[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const [start, size, ...name] = line.split(' ');
    if (start === undefined || size === undefined || name.length === 0) continue;
    const from = Number.parseInt(start, 16);
    entries.push({ start: from, end: from + Number.parseInt(size, 16), name: name.join('_') });
  }
  return entries.sort((a, b) => a.start - b.start);
}

function nameAt(entries: readonly PerfMapEntry[], address: number): string | undefined {
  let low = 0;
  let high = entries.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const entry = entries[middle]!;
    if (address < entry.start) high = middle - 1;
    else if (address >= entry.end) low = middle + 1;
    else return entry.name;
  }
  return undefined;
}

/** Writes a copy of a callgrind file whose unnamed (JIT) functions carry their JavaScript names. */
export function nameJitFunctions(callgrindPath: string, perfMapPath: string, outPath: string): void {
  const entries = readPerfMap(perfMapPath);
  const named = readFileSync(callgrindPath, 'utf8').replace(
    /^(c?fn=\(\d+\)) 0x([0-9a-f]+)$/gm,
    (line, prefix: string, hex: string) => {
      const name = nameAt(entries, Number.parseInt(hex, 16));
      // A name may repeat for recompiled code; the address keeps the entries apart.
      return name === undefined ? line : `${prefix} ${name.replaceAll(' ', '_')}@${hex.slice(-6)}`;
    },
  );
  writeFileSync(outPath, named);
}

export interface CostLine {
  /** Instructions per request. */
  readonly perRequest: number;
  readonly name: string;
}

/**
 * The `top` functions by self and by inclusive cost (callgrind_annotate), per
 * request. Inclusive costs of async functions are split across their
 * resumptions (each await resumes from the microtask queue).
 */
export function topFunctions(
  path: string,
  requests: number,
  top: number,
): { self: CostLine[]; inclusive: CostLine[] } {
  const annotate = (inclusive: boolean): CostLine[] => {
    const output = execFileSync('callgrind_annotate', [`--inclusive=${inclusive ? 'yes' : 'no'}`, path], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    const lines: CostLine[] = [];
    for (const line of output.split('\n')) {
      const match = /^\s*([\d,]+) \([\s\d.]+%\)\s+(.+)$/.exec(line);
      if (match === null || match[2]!.startsWith('PROGRAM TOTALS')) continue;
      const name = match[2]!.replace(/^\?\?\?:/, '').replace(/ \[[^\]]*\]$/, '');
      lines.push({ perRequest: Number(match[1]!.replaceAll(',', '')) / requests, name: shorten(name) });
    }
    return lines;
  };
  const ours = (line: CostLine) => line.name.startsWith('JS:') && /(dist|src|node_modules)\//.test(line.name);
  return { self: annotate(false).slice(0, top), inclusive: annotate(true).filter(ours).slice(0, top) };
}

const shorten = (name: string): string =>
  name
    .replace(/file:\/\/\/?[^ ]*?\/(dist|src|node_modules)\//g, '$1/')
    .replace(/\/[^ ]*?\/(node_modules)\//g, '$1/')
    .replace(/\(v8::internal::[^)]*\)/g, '(…)')
    .slice(0, 140);
