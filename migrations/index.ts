import { AdministrativeUnits1763900000000 } from './1763900000000-administrative-units';

/** Every migration, oldest first. Migrations are never edited once they land: add a new one. */
export const migrations = [AdministrativeUnits1763900000000];
