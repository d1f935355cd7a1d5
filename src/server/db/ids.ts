import { v7 } from 'uuid';
/** Random, time-ordered ids: nobody can walk another organisation's records. */
export const newId = () => v7();
