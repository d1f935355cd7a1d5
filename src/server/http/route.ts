import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';

/** The typed router every module uses. */
export const typed = (app: FastifyInstance) => app.withTypeProvider<ZodTypeProvider>();
