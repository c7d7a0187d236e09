/**
 * A fixed handful of short English passages used to measure how far vectors move after
 * quantization when the user gives no texts of their own. Varied topics, so that many vocabulary
 * terms are exercised.
 */
export const SAMPLE_TEXTS: readonly string[] = [
  'The river flows through the valley and into the ocean near the old city.',
  'Learned sparse retrieval expands documents with related vocabulary terms and their weights.',
  'In 1905 Albert Einstein published four papers that changed physics, including special relativity.',
  'Photosynthesis converts light energy into chemical energy stored in glucose.',
  'The national football team won the world cup after a penalty shootout in the final.',
  'Interest rates rose again as the central bank tried to bring inflation under control.',
  'A search engine builds an inverted index that maps each term to the documents containing it.',
  'The forest fire spread quickly because of dry weather and strong winds from the mountains.',
  'Symptoms of the flu include fever, cough, sore throat and muscle aches.',
  'The university library holds millions of books, maps and historical manuscripts.',
  'Volcanoes form where magma rises through cracks in the earth crust.',
  'The recipe calls for flour, sugar, butter, two eggs and a pinch of salt.',
];
