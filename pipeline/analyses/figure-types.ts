/** What a figure function returns: its record minus what the step adds (ids, key, provenance). */
export type FigureBody<R> = Omit<R, 'model' | 'image' | 'key' | 'provenance'>;
