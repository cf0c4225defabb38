# catalog-queries.awk - 1000 benchmark queries over the vocabulary of
# gen-records.awk, a quarter each: keyword (a full name: thousands of hits
# in 1M records, the vocabulary being small), title phrase (thousands of
# hits too), known item (the note phrase with a record's number: one hit)
# and ISBN (one hit). Output: KIND<TAB>CCL per line. Then nb (default 100)
# browse pages, "browse<TAB>INDEX FROM" (a quarter each of title, author,
# subject and call number, from a random start).
# usage: awk -v n=1000 -v max=1000000 -f catalog-queries.awk
function isbn(i,   s, d, sum, j) {
	s = sprintf("97912%07d", i % 10000000)
	sum = 0
	for (j = 1; j <= 12; j++) { d = substr(s, j, 1) + 0; sum += (j % 2 ? d : 3 * d) }
	return s ((10 - sum % 10) % 10)
}
BEGIN {
	if (!n) n = 1000
	if (!max) max = 1000000
	srand(42)
	ns = split("nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly dao doan vuong trinh", sur, " ")
	ng = split("an binh cuong dung giang ha hai huong khanh lan long mai nam phong quan son tam thao to tuan viet yen anh dat anh", giv, " ")
	nt = split("lich su viet nam|van hoa ha noi|kinh te tay nguyen|truyen lang que|tho con nguoi|tieu thuyet chien tranh|giao trinh nong thon|so tay bien dao|tu dien tuoi tho|hoi ky dat nuoc|nghien cuu mien nui|cam nang thu do|ky thuat hue", tt, "|")
	for (q = 0; q < n; q++) {
		k = q % 4
		if (k == 3)
			printf "known\tnt=\"ghi chu %d\"\n", int(rand() * max) + 1
		else if (k == 0)
			printf "keyword\t%s %s %s\n", sur[int(rand() * ns) + 1], (rand() < 0.5 ? "van" : "thi"), giv[int(rand() * ng) + 1]
		else if (k == 1)
			printf "title\tti=\"%s\"\n", tt[int(rand() * nt) + 1]
		else
			printf "isbn\tisbn=%s\n", isbn(int(rand() * max) + 1)
	}
	if (nb == "") nb = 100
	split("title author subject callno", bx, " ")
	split("a b c d g h k l m n p q s t v x", st, " ")
	for (q = 0; q < nb; q++)
		printf "browse\t%s %s\n", bx[q % 4 + 1], (q % 4 == 3 ? "VV " int(rand() * 9999) : st[int(rand() * 16) + 1])
}
