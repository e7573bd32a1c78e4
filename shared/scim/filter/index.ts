/** The SCIM filter engine: parse, format, evaluate and plan (RFC 7644 sections 3.4.2.2 and 3.5.2). */
export type { AttrPath, CompareOp, CompValue, Filter, PatchPath } from './ast';
export { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, parseAttrPath, parseFilter, parsePatchPath } from './parse';
export { formatAttrPath, formatFilter, formatPatchPath, formatValue } from './format';
export { compileFilter, isPresent, matchesFilter, parseDateTime } from './evaluate';
export { conjuncts, definesPath, indexableEquality, memberEquality, outerPaths, type IndexableEquality } from './plan';
