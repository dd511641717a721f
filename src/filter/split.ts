import type { FilterCondition, FilterNode } from '../core/filter-ast.js'

/** The part of a filter an adapter applies (`pushed`) and the part the runtime applies to its rows (`residual`). */
export interface SplitFilter {
  pushed?: FilterNode
  residual?: FilterNode
}

/**
 * Splits a filter by what an adapter can push down. A top-level AND is split item by item: a condition goes
 * where `canPush` says, a subgroup is pushed only when every condition in it can be. Anything else (a single
 * condition, a top-level OR) is pushed whole or kept whole. Applying `pushed` and then `residual` is
 * the same as applying the filter, since both parts are ANDed.
 *
 * @example
 * splitFilter(node, (condition) => condition.op !== 'contains')
 */
export function splitFilter (node: FilterNode, canPush: (condition: FilterCondition) => boolean): SplitFilter {
  if (node.kind === 'group' && node.logic === 'AND') {
    const pushed: FilterNode[] = []
    const residual: FilterNode[] = []
    for (const item of node.items) (pushable(item, canPush) ? pushed : residual).push(item)
    return { pushed: join(pushed), residual: join(residual) }
  }
  return pushable(node, canPush) ? { pushed: node } : { residual: node }
}

function pushable (node: FilterNode, canPush: (condition: FilterCondition) => boolean): boolean {
  return node.kind === 'condition' ? canPush(node) : node.items.every((item) => pushable(item, canPush))
}

function join (items: FilterNode[]): FilterNode | undefined {
  if (items.length === 0) return undefined
  return items.length === 1 ? items[0] : { kind: 'group', logic: 'AND', items }
}
