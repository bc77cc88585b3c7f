import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A link from a unit formed by the 2025 reorganisation to one unit it was formed from. */
@Entity('unit_lineage')
@Index('ix_unit_lineage_successor', ['successorId'])
@Index('ix_unit_lineage_predecessor', ['predecessorId'])
export class UnitLineage {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'successor_id', type: 'int' })
  successorId: number;

  @Column({ name: 'predecessor_id', type: 'int' })
  predecessorId: number;

  /** Only part of the predecessor went into the successor ("một phần", "phần còn lại"). */
  @Column({ type: 'boolean', default: false })
  partial: boolean;

  @Column({ type: 'varchar', length: 255 })
  mention: string;
}
