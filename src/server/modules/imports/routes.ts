import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps';

export async function importRoutes(_app: FastifyInstance, _deps: Deps) {}
