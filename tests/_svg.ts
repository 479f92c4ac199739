/**
 * Test helper: the marks of a rendered SVG, counted with Python's XML parser (a real parser,
 * not a regex): the children of the mark groups whose class names contain `mark`.
 */
import { execFileSync } from "node:child_process";

const PY = `
import sys, json, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.read())
counts = {}
for g in root.iter('{http://www.w3.org/2000/svg}g'):
    cls = g.get('class') or ''
    if 'role-mark' not in cls.split(): continue
    for c in cls.split():
        if c.startswith('mark-'):
            counts[c] = counts.get(c, 0) + sum(1 for ch in g if ch.tag.endswith('path') or ch.tag.endswith('line') or ch.tag.endswith('text'))
print(json.dumps(counts))`;

/** Counts of the SVG's marks by class (`mark-line`, `mark-symbol`, `mark-rule`, …). */
export function svgMarks(svg: string): Record<string, number> {
  return JSON.parse(execFileSync("python3", ["-c", PY], { input: svg, encoding: "utf8" }));
}
