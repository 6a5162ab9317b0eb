/**
 * Any value a JSON document holds: what daemon.json keys and dockerd's API answers carry. Results
 * that pass such a value on (get, show, verification) say so with this rather than `unknown`, so
 * their JSON Schema (schemas/) says "any JSON value" and nothing looser.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | {[key: string]: JsonValue}
