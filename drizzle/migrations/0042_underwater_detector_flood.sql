-- D4 (sweep 19b F3): 水下探测设备 is one of the 防汛抗旱 抢险装备 in 晋城 专栏 4 (4) and 河曲's list, not a 消防 item. A
-- database seeded before keeps its id (its batches and movements stay as they are) and takes the flood code the seed now gives.
UPDATE items SET category_code = 'FLOOD', code = 'FLD-026'
 WHERE code = 'FIR-015' AND NOT EXISTS (SELECT 1 FROM items WHERE code = 'FLD-026');
