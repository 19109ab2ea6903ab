"use client";

import "@xyflow/react/dist/style.css";

import { Background, Controls, MarkerType, ReactFlow, type Connection, type Edge as FlowEdge, type Node } from "@xyflow/react";
import { useMemo } from "react";

import { layout, type Edge } from "./skill-layout";

export interface SkillNode {
  skill_id: string;
  slug: string;
  name: string;
}

/**
 * The prerequisite graph, drawn (loaded with next/dynamic: React Flow is large). Drag from a
 * skill's right handle to another skill to say the second needs the first; select an arrow and
 * press Delete (or Backspace) to remove it. The lists beside it do the same without a pointer.
 */
export default function SkillGraphCanvas({
  nodes,
  edges,
  onConnect,
  onRemove,
}: {
  nodes: SkillNode[];
  edges: Edge[];
  onConnect: (skillId: string, requiresId: string) => void;
  onRemove: (edge: Edge) => void;
}) {
  const flowNodes = useMemo<Node[]>(() => {
    const positions = layout(
      nodes.map((node) => node.skill_id),
      edges,
    );
    return nodes.map((node) => ({
      id: node.skill_id,
      position: positions.get(node.skill_id) ?? { x: 0, y: 0 },
      data: { label: node.name },
      sourcePosition: "right" as Node["sourcePosition"],
      targetPosition: "left" as Node["targetPosition"],
    }));
  }, [nodes, edges]);
  const flowEdges = useMemo<FlowEdge[]>(
    () =>
      edges.map((edge) => ({
        id: `${edge.requires_id}->${edge.skill_id}`,
        source: edge.requires_id,
        target: edge.skill_id,
        markerEnd: { type: MarkerType.ArrowClosed },
      })),
    [edges],
  );

  return (
    <div className="h-[28rem] rounded-md border border-slate-200 bg-white text-slate-900 dark:border-slate-700">
      <ReactFlow
        nodes={flowNodes}
        edges={flowEdges}
        fitView
        nodesDraggable={false}
        onConnect={(connection: Connection) => {
          if (connection.source && connection.target) onConnect(connection.target, connection.source);
        }}
        onEdgesDelete={(removed) =>
          removed.forEach((edge) => onRemove({ skill_id: edge.target, requires_id: edge.source }))
        }
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
