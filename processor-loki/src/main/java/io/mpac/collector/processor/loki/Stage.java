package io.mpac.collector.processor.loki;

/**
 * One processing stage of {@code loki.process}. Runs on the pushing thread; must be cheap and
 * thread-safe (stages are shared by every pushing thread). A stage that drops the entry calls
 * {@link EntryState#drop(String)} and the pipeline stops there.
 */
interface Stage {
  void process(EntryState entry);
}
