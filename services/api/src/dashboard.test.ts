import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { dashboardRoutes } from './dashboard.js';

describe('the queue dashboard page', () => {
  it('links nothing on another origin, and keeps its own stylesheet and scripts', async () => {
    const app = Fastify();
    await app.register(dashboardRoutes, { queues: [] });
    const res = await app.inject('/dashboard/');
    await app.close();
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toMatch(/(?:href|src)="(?:https?:)?\/\//);
    expect(res.body).toMatch(/<link href="static\/css\/main\.[0-9a-f]+\.css" rel="stylesheet">/);
    expect(res.body).toMatch(/<script defer src="static\/js\/main\.[0-9a-f]+\.js">/);
  });
});
