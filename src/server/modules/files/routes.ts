import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps';

export async function fileRoutes(_app: FastifyInstance, _deps: Deps) {}
