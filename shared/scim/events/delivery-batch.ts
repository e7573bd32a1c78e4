/**
 * A batch of the FIFO delivery queue: each message group (a webhook and a resource) in order, the
 * groups side by side. Once a message of a group fails, that group's later messages are handed
 * back untouched (they wait their turn, so a resource's events arrive in order); other groups go on.
 * Answers the ids of the messages to hand back.
 */
export async function deliverInGroups<M extends { id: string; group: string }>(
  messages: readonly M[],
  deliverOne: (message: M) => Promise<boolean>,
): Promise<string[]> {
  const groups = new Map<string, M[]>();
  for (const m of messages) groups.set(m.group, [...(groups.get(m.group) ?? []), m]);
  const failed: string[] = [];
  await Promise.all(
    [...groups.values()].map(async (group) => {
      for (const [i, m] of group.entries()) {
        if (!(await deliverOne(m).catch(() => false))) {
          failed.push(...group.slice(i).map((x) => x.id));
          return;
        }
      }
    }),
  );
  return failed;
}
