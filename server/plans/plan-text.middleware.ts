import type { MiddlewareFn } from 'type-graphql';
import { cleanTexts } from '../core/text';
import type { RequestContext } from '../request-context';

/**
 * The one place where every text a plan mutation receives is cleaned before the service sees it:
 * NFC, no control or zero-width characters (see cleanText). Applied to the plan resolvers.
 */
export const CleanPlanText: MiddlewareFn<RequestContext> = ({ args, info }, next) => {
  if (info.parentType.name === 'Mutation') cleanTexts(args);
  return next();
};
