"use client";

import dynamic from "next/dynamic";
import { useState, type FormEvent } from "react";
import useSWR from "swr";

import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { FormMessage, type Message } from "@/components/ui/form-message";
import { EmptyState, ErrorState, Loading } from "@/components/ui/states";
import { api, unwrap } from "@/lib/api/client";

import { studioKeys } from "./data";
import type { Edge } from "./skill-layout";

const SkillGraphCanvas = dynamic(() => import("./skill-graph-canvas"), {
  ssr: false,
  loading: () => <Loading label="Drawing the graph…" />,
});
const select = "rounded-md border border-slate-400 bg-white px-3 py-2 dark:border-slate-500 dark:bg-slate-900";

/** The skills and their prerequisites, as a graph to edit; cycles are refused as the API refuses them. */
export function SkillGraph() {
  const graph = useSWR(studioKeys.skillGraph, () => unwrap(api.GET("/api/v1/skills/graph")));
  const [message, setMessage] = useState<Message | null>(null);

  async function act(run: () => Promise<unknown>, done: string) {
    setMessage(null);
    try {
      await run();
      setMessage({ text: done, error: false });
    } catch (caught) {
      setMessage({ text: `Refused: ${caught instanceof Error ? caught.message : "the change failed."}`, error: true });
    } finally {
      await graph.mutate();
    }
  }

  if (graph.error) return <ErrorState error={graph.error} retry={() => void graph.mutate()} />;
  if (!graph.data) return <Loading label="Loading the skills…" />;
  const { nodes, edges } = graph.data;
  const name = (id: string) => nodes.find((node) => node.skill_id === id)?.name ?? "a deleted skill";

  const connect = (skillId: string, requiresId: string) =>
    void act(
      () =>
        unwrap(
          api.POST("/api/v1/skills/{skill_ref}/prerequisites", {
            params: { path: { skill_ref: skillId } },
            body: { requires: requiresId },
          }),
        ),
      `${name(skillId)} now needs ${name(requiresId)}.`,
    );
  const remove = (edge: Edge) =>
    void act(
      () =>
        unwrap(
          api.DELETE("/api/v1/skills/{skill_ref}/prerequisites/{requires_ref}", {
            params: { path: { skill_ref: edge.skill_id, requires_ref: edge.requires_id } },
          }),
        ),
      `${name(edge.skill_id)} no longer needs ${name(edge.requires_id)}.`,
    );

  function addEdge(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    connect(String(form.get("skill")), String(form.get("requires")));
  }

  function addSkill(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const skillName = String(data.get("name") ?? "").trim();
    void act(async () => {
      await unwrap(
        api.POST("/api/v1/skills", {
          body: { slug: String(data.get("slug") ?? ""), name: skillName, description: "", prerequisites: [] },
        }),
      );
      form.reset();
    }, `The skill ${skillName} was added.`);
  }

  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">Skills and prerequisites</h1>
      <p className="text-slate-700 dark:text-slate-300">
        An arrow goes from a skill to the skills that need it. Drag from a skill&apos;s right edge to another skill to add
        one; select an arrow and press Delete to remove it. A prerequisite that would make a loop is refused.
      </p>
      <FormMessage message={message} />
      {nodes.length === 0 ? (
        <EmptyState title="No skill yet">Add the skills your courses teach below.</EmptyState>
      ) : (
        <section aria-label="Prerequisite graph (the list below says the same)">
          <SkillGraphCanvas nodes={nodes} edges={edges} onConnect={connect} onRemove={remove} />
        </section>
      )}
      <div className="grid gap-6 lg:grid-cols-2">
        <Card aria-labelledby="prerequisites-heading" className="flex flex-col gap-3">
          <h2 id="prerequisites-heading" className="text-lg font-semibold">
            Prerequisites
          </h2>
          {nodes.length >= 2 && (
            <form onSubmit={addEdge} className="flex flex-wrap items-end gap-2">
              <label className="flex flex-col gap-1 text-sm font-medium">
                Skill
                <select name="skill" aria-label="Skill" className={select}>
                  {nodes.map((node) => (
                    <option key={node.skill_id} value={node.skill_id}>
                      {node.name}
                    </option>
                  ))}
                </select>
              </label>
              <label className="flex flex-col gap-1 text-sm font-medium">
                needs
                <select name="requires" aria-label="Needs" className={select}>
                  {nodes.map((node) => (
                    <option key={node.skill_id} value={node.skill_id}>
                      {node.name}
                    </option>
                  ))}
                </select>
              </label>
              <Button type="submit" variant="secondary">
                Add prerequisite
              </Button>
            </form>
          )}
          {edges.length === 0 ? (
            <p className="text-sm">No prerequisite yet.</p>
          ) : (
            <ul className="flex flex-col gap-1 text-sm">
              {edges.map((edge) => (
                <li key={`${edge.skill_id}-${edge.requires_id}`} className="flex items-center justify-between gap-2">
                  <span>
                    {name(edge.skill_id)} needs {name(edge.requires_id)}
                  </span>
                  <Button variant="ghost" onClick={() => remove(edge)}>
                    Remove: {name(edge.skill_id)} needs {name(edge.requires_id)}
                  </Button>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card aria-labelledby="new-skill-heading">
          <h2 id="new-skill-heading" className="mb-2 text-lg font-semibold">
            New skill
          </h2>
          <form onSubmit={addSkill} className="flex flex-col gap-3">
            <Field label="Skill name" name="name" required maxLength={200} />
            <Field label="Slug" name="slug" required maxLength={100} pattern="[a-z0-9]+(-[a-z0-9]+)*" hint="Lower-case words joined by hyphens, e.g. for-loops." />
            <div>
              <Button type="submit" variant="secondary">
                Add skill
              </Button>
            </div>
          </form>
        </Card>
      </div>
    </div>
  );
}
