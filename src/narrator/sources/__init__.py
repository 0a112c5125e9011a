"""Where figures and text come from: documents (PDF, docx, xlsx, text), the figures workbook
(read and write), and the tables of a published disclosure."""
