import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Where a unit sits in the tree during an interval. Parent links are effective-dated because a
 * unit can move and stay itself (villages moved, unchanged, to the merged commune in 2025).
 * `path` is the materialised path of unit ids from the root ("/1/25/733/"), so a subtree is a
 * prefix range on an index on both databases.
 */
@Entity('unit_placement')
@Index('ix_unit_placement_path', ['path'])
@Index('ix_unit_placement_unit', ['unitId'])
@Index('ix_unit_placement_parent', ['parentId'])
export class UnitPlacement {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'unit_id', type: 'int' })
  unitId: number;

  @Column({ name: 'parent_id', type: 'int', nullable: true })
  parentId: number | null;

  @Column({ type: 'varchar', length: 255 })
  path: string;

  @Column({ type: 'int' })
  depth: number;

  @Column({ name: 'valid_from', type: 'varchar', length: 10, nullable: true })
  validFrom: string | null;

  @Column({ name: 'valid_to', type: 'varchar', length: 10, nullable: true })
  validTo: string | null;
}
