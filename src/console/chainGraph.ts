import dagre from '@dagrejs/dagre';
import type { ChainLink } from '../observe/chainLinks.js';

export interface ChainNode {
  id: string;
  label: string;
  /** The MAPREF, or null for a DPND_JOBSCHID that names no row. */
  mapref: string | null;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ChainEdge {
  from: string;
  to: string;
  link: ChainLink;
  points: { x: number; y: number }[];
  retired: boolean;
  inCycle: boolean;
}

export interface ChainGraph {
  width: number;
  height: number;
  nodes: ChainNode[];
  edges: ChainEdge[];
  /** Each cycle's MAPREFs (a schedule that waits, through its parents, on itself never fires). */
  cycles: string[][];
}

const NODE_HEIGHT = 30;
const nodeWidth = (label: string) => Math.min(260, 24 + label.length * 7.5);
const missingId = (jobschid: number) => `#${jobschid}`;

/**
 * Lays the parent → child links out left to right with dagre (layered layout, edge routing and
 * crossing reduction are what it does better than hand-written code); cycles are found with
 * graphlib's findCycles (a self-link too, added by hand where a graphlib version leaves it out).
 */
export function layoutChains(links: readonly ChainLink[]): ChainGraph {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 70, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  const addNode = (id: string, label: string, mapref: string | null) => {
    if (!g.hasNode(id)) g.setNode(id, { label, mapref, width: nodeWidth(label), height: NODE_HEIGHT });
  };
  links.forEach((link, i) => {
    addNode(link.child, link.child, link.child);
    const from = link.parent ?? missingId(link.parentJobschid);
    addNode(from, link.parent ?? `JOBSCHID ${link.parentJobschid} (no such row)`, link.parent);
    g.setEdge(from, link.child, { link }, `l${i}`);
  });
  dagre.layout(g);
  const cycles: string[][] = dagre.graphlib.alg.findCycles(g).map((c: string[]) => [...c].sort());
  for (const link of links) if (link.parent === link.child && !cycles.some((c) => c.length === 1 && c[0] === link.child)) cycles.push([link.child]);
  const cyclic = new Set(cycles.flat());
  const info = g.graph() as { width?: number; height?: number };
  return {
    width: Math.ceil(info.width ?? 0),
    height: Math.ceil(info.height ?? 0),
    nodes: g.nodes().map((id: string) => {
      const n = g.node(id) as { label: string; mapref: string | null; x: number; y: number; width: number; height: number };
      return { id, label: n.label, mapref: n.mapref, x: n.x, y: n.y, width: n.width, height: n.height };
    }),
    edges: g.edges().map((e: { v: string; w: string; name?: string }) => {
      const edge = g.edge(e) as { link: ChainLink; points: { x: number; y: number }[] };
      return { from: e.v, to: e.w, link: edge.link, points: edge.points, retired: edge.link.parentRetired, inCycle: cyclic.has(e.v) && cyclic.has(e.w) };
    }),
    cycles,
  };
}
