/** Approval evaluations: statements, conditions, reading answers, the comparison and statement clusters. */
export * from './types';
export * from './read-answer';
export * from './statements';
export * from './conditions';
export * from './stats';
export * from './statement-clusters';
