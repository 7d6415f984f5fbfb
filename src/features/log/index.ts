/**
 * The transparency log: an append-only RFC 9162 Merkle tree of the registry's decisions.
 * This file is the feature's public entry: code outside src/features/log imports only this.
 */
export { completeSubtrees, consistencyPlan, consistencyProof, inclusionPlan, inclusionProof, rangeRoot, recordsRoot, leafHash, nodeHash, rootFromInclusionProof, treeRoot, treeWithPaths, verifyConsistency, verifyInclusion } from './merkle.js';
export { appendBatchToLog, appendManyToLog, batchEntryDetails, appendToLog, batchMemberships, recordBlocks, type BatchEntry, type BatchInput, setLogPseudonymizer, LogService, type LogEntryInput, type TreeHead } from './log.service.js';
export { logPlugin } from './log.routes.js';
export { verifyLog, verifyTreeHeadJws, type BatchRecordsSource, type VerifyReport } from './audit.verify.js';
