// The traffic graph drawn by cytoscape (its own chunk, loaded by the Traffic view): apps as boxes
// holding their versions, callers on the left, laid out by cytoscape's breadthfirst layout and
// laid out again only when nodes come or go; live reports only change the edge labels.

import cytoscape from 'cytoscape';
import { edgeId, shareOf, type TrafficReport } from '../api/traffic.js';

export interface GraphHandlers {
  onSelect(selection: { node: string } | { edge: string } | null): void;
}

export function edgeLabel(report: TrafficReport, e: TrafficReport['edges'][number]): string {
  const share = shareOf(report, e);
  const p99 = e.p99Ms === undefined ? '' : `  p99 ${e.p99Ms.toFixed(0)}ms`;
  return `${e.requestsPerSecond.toFixed(1)}/s  ${share.toFixed(0)}%\nerr ${(100 * e.errorRate).toFixed(1)}%${p99}`;
}

export class TrafficGraph {
  private readonly cy: cytoscape.Core;
  private shape = '';

  constructor(container: HTMLElement, handlers: GraphHandlers) {
    this.cy = cytoscape({
      container,
      wheelSensitivity: 0.3,
      minZoom: 0.3,
      maxZoom: 3,
      style: [
        {
          selector: 'node',
          style: {
            label: 'data(label)',
            'text-valign': 'center',
            'text-halign': 'center',
            'background-color': '#e8f0fb',
            'border-color': '#0b5cad',
            'border-width': 2,
            shape: 'round-rectangle',
            width: 'label',
            height: 34,
            padding: '10px',
            'font-size': 13,
            color: '#10233b',
          },
        },
        {
          selector: 'node[kind = "workload"]',
          style: { 'background-color': '#fff4e0', 'border-color': '#b86e00', shape: 'ellipse' },
        },
        {
          selector: ':parent',
          style: {
            'text-valign': 'top',
            'background-color': '#f6f8fa',
            'border-color': '#8a99ad',
            'border-style': 'dashed',
            'font-weight': 'bold',
          },
        },
        {
          selector: 'edge',
          style: {
            label: 'data(label)',
            'curve-style': 'bezier',
            'target-arrow-shape': 'triangle',
            width: 'data(width)',
            'line-color': 'data(color)',
            'target-arrow-color': 'data(color)',
            'font-size': 11,
            'text-background-color': '#ffffff',
            'text-background-opacity': 0.9,
            'text-background-padding': '2px',
            'text-wrap': 'wrap',
          },
        },
        {
          selector: ':selected',
          style: { 'border-width': 4, 'line-style': 'dashed', 'overlay-opacity': 0.1 },
        },
      ],
    });
    this.cy.on('tap', 'node', (e) => handlers.onSelect({ node: e.target.id() }));
    this.cy.on('tap', 'edge', (e) => handlers.onSelect({ edge: e.target.id() }));
    this.cy.on('tap', (e) => {
      if (e.target === this.cy) handlers.onSelect(null);
    });
  }

  update(report: TrafficReport): void {
    const cy = this.cy;
    const apps = new Set(report.nodes.filter((n) => n.kind === 'service' && n.version).map((n) => n.app));
    const shape = JSON.stringify([
      report.nodes.map((n) => n.id).sort(),
      report.edges.map((e) => edgeId(e.source, e.destination)).sort(),
    ]);
    cy.batch(() => {
      if (shape !== this.shape) {
        cy.elements().remove();
        for (const app of apps)
          cy.add({ group: 'nodes', data: { id: `app:${app}`, label: app, kind: 'app' } });
        for (const n of report.nodes) {
          const parent = apps.has(n.app) && n.version ? `app:${n.app}` : undefined;
          cy.add({
            group: 'nodes',
            data: {
              id: n.id,
              label: n.version && parent ? n.version : n.id,
              kind: n.kind,
              ...(parent ? { parent } : {}),
            },
          });
        }
        for (const e of report.edges) {
          cy.add({
            group: 'edges',
            data: { id: edgeId(e.source, e.destination), source: e.source, target: e.destination },
          });
        }
      }
      for (const e of report.edges) {
        const edge = cy.getElementById(edgeId(e.source, e.destination));
        edge.data({
          label: edgeLabel(report, e),
          width: 1.5 + Math.min(8, Math.log2(1 + e.requestsPerSecond)),
          color: e.errorRate > 0.05 ? '#c62828' : e.errorRate > 0 ? '#d08700' : '#2e7d32',
        });
      }
    });
    if (shape !== this.shape) {
      this.shape = shape;
      cy.layout({
        name: 'breadthfirst',
        directed: true,
        spacingFactor: 1.8,
        padding: 30,
        fit: true,
      } as cytoscape.LayoutOptions).run();
      // breadthfirst stacks levels top to bottom; the graph reads left to right like Kiali's.
      cy.nodes(':childless').positions((n) => ({ x: n.position('y'), y: n.position('x') }));
      cy.fit(undefined, 30);
    }
  }

  select(id: string | null): void {
    this.cy.elements().unselect();
    if (id) this.cy.getElementById(id).select();
  }

  destroy(): void {
    this.cy.destroy();
  }
}
