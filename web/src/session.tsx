import { createContext, useContext, useState, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiProblem, type Session } from './api';
import type { OpenedKey } from './crypto/keyfile';

/**
 * The session lives in the server's HttpOnly cookie; the page only asks who is signed in.
 * A signing key, once opened, stays in this tab's memory as a non-extractable CryptoKey.
 */
interface SessionState {
  session: Session | null | undefined;
  signKey: OpenedKey | null;
  setSignKey: (key: OpenedKey | null) => void;
  refresh: () => Promise<void>;
}

const SessionContext = createContext<SessionState>({ session: undefined, signKey: null, setSignKey: () => {}, refresh: async () => {} });

export function SessionProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const [signKey, setSignKey] = useState<OpenedKey | null>(null);
  const query = useQuery({
    queryKey: ['session'],
    queryFn: async () => {
      try {
        return await api<Session>('/v1/auth/session');
      } catch (err) {
        if (err instanceof ApiProblem && err.status === 401) return null;
        throw err;
      }
    },
    staleTime: 60_000,
  });
  const refresh = async () => {
    await client.invalidateQueries();
  };
  return <SessionContext.Provider value={{ session: query.data, signKey, setSignKey, refresh }}>{children}</SessionContext.Provider>;
}

export const useSession = () => useContext(SessionContext);
