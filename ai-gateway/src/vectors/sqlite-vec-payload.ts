/** The stored payload of a point, or null when the row holds none (a tombstone) or is malformed. */
export function readPayload(
  text: string | null,
): { tenantId: string; entityId: string; data: Record<string, unknown> } | null {
  if (text === null) return null;
  const value: unknown = JSON.parse(text);
  if (typeof value !== "object" || value === null) return null;
  const { tenantId, entityId, data } = value as Record<string, unknown>;
  if (typeof tenantId !== "string" || typeof entityId !== "string") return null;
  if (typeof data !== "object" || data === null) return null;
  return { tenantId, entityId, data: data as Record<string, unknown> };
}
