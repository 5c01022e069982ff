// Live progress of a project's background jobs: the server pushes `JobProgress` over SignalR to managers who watch
// the project; polling the job's row stays as the fallback while the connection is down.

/* global signalR */
import { hubOptions } from './live.js';

/**
 * @param {number} projectId
 * @param {(progress: {kind: string, id: number, status: string, done: number, total: number, error?: string}) => void} onProgress
 */
export async function watchJobs(projectId, onProgress) {
  if (typeof signalR === 'undefined') return null;
  const connection = new signalR.HubConnectionBuilder().withUrl('/hubs/annotations', hubOptions).withAutomaticReconnect().build();
  connection.on('JobProgress', onProgress);
  connection.onreconnected(() => connection.invoke('WatchJobs', projectId));
  try {
    await connection.start();
    await connection.invoke('WatchJobs', projectId);
    return connection;
  } catch {
    return null; // polling carries on
  }
}
