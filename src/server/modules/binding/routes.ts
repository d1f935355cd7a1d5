import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps';

export async function bindingRoutes(_app: FastifyInstance, _deps: Deps) {}
