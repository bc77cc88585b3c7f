import { registerEnumType } from 'type-graphql';

export enum UnitLevel {
  NATION = 'NATION',
  PROVINCE = 'PROVINCE',
  DISTRICT = 'DISTRICT', // huyện — existed until 2025-06-30 only
  COMMUNE = 'COMMUNE', // xã, phường, đặc khu, thị trấn
  VILLAGE = 'VILLAGE', // thôn, bản, ấp, tổ dân phố
}

export const LEVEL_DEPTH: Record<UnitLevel, number> = {
  NATION: 0,
  PROVINCE: 1,
  DISTRICT: 2,
  COMMUNE: 3,
  VILLAGE: 4,
};

registerEnumType(UnitLevel, { name: 'UnitLevel', description: 'Tier of the administrative hierarchy' });

/** Day the two-tier model took effect (Nghị quyết 202/2025/QH15); legacy units ended the day before. */
export const REORGANISATION_DATE = '2025-07-01';
export const LEGACY_LAST_DAY = '2025-06-30';
