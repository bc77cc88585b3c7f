import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The data version: eight counter rows in reference_version ('data.0'..'data.7') that every
 * committed write moves, in its own transaction, one row picked at random (eight rows, so
 * concurrent writers rarely wait for each other's row lock). The version is their sum; the
 * response cache (server/core/response-cache.ts) serves an answer only while it is unchanged.
 */
export class DataVersion1763900014000 implements MigrationInterface {
  name = 'DataVersion1763900014000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const rows = Array.from({ length: 8 }, (_, shard) => `('data.${shard}', 0)`).join(', ');
    await queryRunner.query(`INSERT INTO reference_version (name, version) VALUES ${rows}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM reference_version WHERE name LIKE 'data.%'`);
  }
}
