import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../batch/model/graph-builder.ts';
import { saveModelFile } from '../../../batch/model/model-file.node.ts';
import { DataType } from '../../../batch/model/onnx-proto.ts';
import { generateTinyTokenizerJson } from '../../../batch/model/tiny-tokenizer.ts';
import { loadModelDir } from '../../../batch/onnx/model-dir.node.ts';
import { OnnxModelError } from '../../../shared/encoders/onnx/errors.ts';
import { removeTempDirs, tempDir, tinyModelDir } from '../model/fixtures.ts';

afterAll(removeTempDirs);

async function editConfig(dir: string, edit: (c: Record<string, unknown>) => void): Promise<void> {
  const path = join(dir, 'csplade-model.json');
  const config = JSON.parse(await readFile(path, 'utf8'));
  edit(config);
  await writeFile(path, JSON.stringify(config));
}

async function expectFailure(dir: string, code: string, message: RegExp): Promise<void> {
  const error = await loadModelDir(dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OnnxModelError);
  expect((error as OnnxModelError).code).toBe(code);
  expect((error as Error).message).toMatch(message);
}

describe('loadModelDir: the directory and its files', () => {
  it('loads a valid directory and reports the graph inputs', async () => {
    const dir = await tinyModelDir({ architecture: 'causal-lm', variant: 'echo' });
    const model = await loadModelDir(dir);
    expect(model.inputs).toEqual(['input_ids', 'attention_mask', 'position_ids']);
    expect(model.logitsType).toBe('float32');
    expect(model.tokenizer.vocabSize).toBe(1000);
    expect(model.config.variant).toBe('echo');
  });

  it('fails on a missing directory or config file', async () => {
    await expectFailure(
      '/nonexistent/csplade-model',
      'model_file_missing',
      /model directory .* does not exist/,
    );
    const empty = await tempDir();
    await expectFailure(empty, 'model_file_missing', /csplade-model\.json is missing/);
  });

  it('lists every config problem at once', async () => {
    const dir = await tinyModelDir({ architecture: 'causal-lm' });
    await editConfig(dir, (c) => {
      c.variant = 'sideways';
      c.maxLength = 0;
      c.templates = { query: 'no placeholder', document: '{text}' };
    });
    await expectFailure(dir, 'invalid_model_config', /csplade-model\.json: /);
    const error = (await loadModelDir(dir).catch((e) => e)) as Error;
    expect(error.message).toContain('"variant"');
    expect(error.message).toContain('"templates.query"');
    expect(error.message).toContain('"maxLength"');
  });

  it('fails when the model file or an external data file is missing', async () => {
    const dir = await tinyModelDir({ architecture: 'masked-lm', externalData: true });
    await rm(join(dir, 'model.onnx.data'));
    await expectFailure(
      dir,
      'model_file_missing',
      /external data file "model\.onnx\.data", which is missing/,
    );
    await editConfig(dir, (c) => {
      c.model = 'absent.onnx';
    });
    await expectFailure(dir, 'model_file_missing', /names model "absent\.onnx" but .* does not exist/);
  });

  it('fails when the tokenizer is neither a file nor a built-in', async () => {
    const dir = await tinyModelDir({ architecture: 'masked-lm' });
    await editConfig(dir, (c) => {
      c.tokenizer = 'gpt9';
    });
    await expectFailure(
      dir,
      'model_file_missing',
      /tokenizer "gpt9": no file .* and not a built-in tokenizer/,
    );
  });
});

describe('loadModelDir: the graph interface', () => {
  it('fails when the logits vocabulary differs from the tokenizer vocabulary', async () => {
    const dir = await tinyModelDir({ architecture: 'masked-lm' });
    await writeFile(
      join(dir, 'tokenizer.json'),
      JSON.stringify(generateTinyTokenizerJson({ vocabSize: 900 })),
    );
    await expectFailure(dir, 'vocab_mismatch', /logits vocabulary 1000 ≠ tokenizer vocabulary 900/);
  });

  it('fails on unexpected input names and on a missing logits output', async () => {
    const dir = await tinyModelDir({ architecture: 'masked-lm' });
    const g = new GraphBuilder();
    const ids = g.input('tokens', DataType.INT64, ['batch', 'sequence']);
    g.op('Identity', [ids], {}, { output: 'out' });
    g.output('out', DataType.INT64, ['batch', 'sequence']);
    await saveModelFile(g.build({ name: 'wrong' }), join(dir, 'model.onnx'));
    await expectFailure(
      dir,
      'model_io_mismatch',
      /unexpected input "tokens" \(known inputs: input_ids, attention_mask/,
    );

    const h = new GraphBuilder();
    h.input('input_ids', DataType.INT64, ['batch', 'sequence']);
    const mask = h.input('attention_mask', DataType.INT64, ['batch', 'sequence']);
    h.op('Identity', [mask], {}, { output: 'scores' });
    h.output('scores', DataType.INT64, ['batch', 'sequence']);
    await saveModelFile(h.build({ name: 'no-logits' }), join(dir, 'model.onnx'));
    await expectFailure(dir, 'model_io_mismatch', /no "logits" output \(outputs: scores\)/);
  });

  it('refuses unprepared bfloat16 logits, pointing at model prepare', async () => {
    const dir = await tinyModelDir({ architecture: 'masked-lm', logitsType: 'bfloat16' });
    await expectFailure(dir, 'model_io_mismatch', /"logits" are bfloat16, .* run `csplade model prepare`/);
  });

  it('fails when the config says prepared but the graph is not', async () => {
    const dir = await tinyModelDir({ architecture: 'masked-lm' });
    await editConfig(dir, (c) => {
      c.prepared = { k: 128, pooling: 'pooling_mask' };
    });
    await expectFailure(
      dir,
      'model_io_mismatch',
      /config says "prepared" but the graph has no term_ids\/term_weights outputs/,
    );
  });

  it('refuses echo with a head pooled by attention_mask (the first copy would be pooled)', async () => {
    const dir = await tinyModelDir({ architecture: 'causal-lm', variant: 'echo' });
    await editConfig(dir, (c) => {
      c.prepared = { k: 128, pooling: 'attention_mask' };
    });
    await expectFailure(
      dir,
      'invalid_model_config',
      /echo variant needs a prepared head with "pooling": "pooling_mask"/,
    );
  });
});
