import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps';

export async function cartRoutes(_app: FastifyInstance, _deps: Deps) {}
