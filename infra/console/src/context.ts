import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from './api';
import type { Session } from './auth';

export interface ConsoleContext {
  api: Api;
  session: Session;
  /** Whether the signed-in role may change anything (Owner, System Admin); others see the pages read-only. */
  canManage: boolean;
  /** The roles that may, for the line that says why the controls are disabled. */
  manageRoles: string[];
}

export const Ctx = createContext<ConsoleContext | undefined>(undefined);

export function useConsole(): ConsoleContext {
  const ctx = useContext(Ctx);
  if (!ctx) throw new Error('useConsole outside the console');
  return ctx;
}
